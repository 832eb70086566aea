"""Certificates of completion: verification codes and the printed PDF."""
